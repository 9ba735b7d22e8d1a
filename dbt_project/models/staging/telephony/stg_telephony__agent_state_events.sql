with

source as (
    {{ completed_load_rows('telephony', 'agent_state_events') }}
),

renamed as (
    select
        source_file,
        line_number,
        trim(agent_id) as agent_id,
        nullif(trim(agent_name), '') as agent_name,
        nullif(trim(team), '') as team_name,
        upper(trim(state)) as agent_state,
        started_at,
        nullif(trim(reason), '') as state_reason,
        _dlt_load_id as dlt_load_id
    from source
),

deduplicated as (
    select
        *,
        row_number() over (
            partition by agent_id, agent_state, started_at, state_reason
            order by dlt_load_id, source_file, line_number
        ) as duplicate_rank
    from renamed
),

final as (
    select
        -- A file name can come back with other content (the live queue_log after a rotation),
        -- so the load that read the line is part of its identity.
        source_file || ':' || cast(line_number as varchar) || '@' || dlt_load_id as agent_state_event_id,
        source_file,
        line_number,
        -- Ties at the same second follow file order, files in the order of their first event
        -- (per load: a name can come back with other content after a rotation).
        min(started_at) over (partition by source_file, dlt_load_id) as source_file_first_started_at,
        agent_id,
        agent_name,
        team_name,
        agent_state,
        started_at,
        state_reason,
        dlt_load_id
    from deduplicated
    where duplicate_rank = 1
)

select * from final
