with

source as (
    {{ completed_load_rows('telephony', 'queue_log_events') }}
),

renamed as (
    select
        source_file,
        line_number,
        event_epoch,
        {{ from_epoch('event_epoch') }} as event_at,
        nullif(trim(callid), '') as callid,
        nullif(trim(queue_name), '') as queue_name,
        nullif(trim(agent), '') as agent_interface,
        upper(trim(event)) as event_name,
        data1,
        data2,
        data3,
        data4,
        data5,
        _dlt_load_id as dlt_load_id
    from source
),

with_agent as (
    select
        *,
        -- The agent field holds an interface (PJSIP/1001, Agent/1001) or a member name; agent_id is
        -- the part after the last '/', which is how the agent-state feed names the same agent.
        case
            when agent_interface is null or upper(agent_interface) = 'NONE' then null
            else {{ dbt.split_part('agent_interface', "'/'", -1) }}
        end as agent_id
    from renamed
),

deduplicated as (
    -- D7: the same event delivered twice (a file copied under another name) counts once.
    select
        *,
        row_number() over (
            partition by event_epoch, callid, queue_name, agent_interface, event_name,
                data1, data2, data3, data4, data5
            order by dlt_load_id, source_file, line_number
        ) as duplicate_rank
    from with_agent
),

final as (
    select
        -- A file name can come back with other content (the live queue_log after a rotation),
        -- so the load that read the line is part of its identity.
        source_file || ':' || cast(line_number as varchar) || '@' || dlt_load_id as queue_log_event_id,
        source_file,
        line_number,
        -- Orders files by their content, not their name (a live `queue_log` sorts before its
        -- rotated `queue_log-20261012`): ties at the same second follow file order (D1). Per load,
        -- because a name can come back with other content after a rotation.
        min(event_epoch) over (partition by source_file, dlt_load_id) as source_file_first_epoch,
        event_epoch,
        event_at,
        callid,
        queue_name,
        agent_interface,
        agent_id,
        event_name,
        data1,
        data2,
        data3,
        data4,
        data5,
        dlt_load_id
    from deduplicated
    where duplicate_rank = 1
)

select * from final
