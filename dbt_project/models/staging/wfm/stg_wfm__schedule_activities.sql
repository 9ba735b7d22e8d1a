{#- One row per activity segment of an agent's published schedule: for each agent and schedule date
    only the latest publication counts (the latest load, then the latest file of that load), so a
    re-published day replaces the earlier plan and a line delivered twice counts once (D28). -#}
with

source as (
    {{ raw_table('wfm', 'schedule_activities', {
        'agent_id': 'varchar', 'agent_name': 'varchar', 'team': 'varchar', 'schedule_date': 'date',
        'activity': 'varchar', 'start_at': 'timestamp with time zone', 'end_at': 'timestamp with time zone',
        'source_file': 'varchar', 'line_number': 'bigint', '_dlt_load_id': 'varchar'
    }) }}
),

published as (
    select
        *,
        -- Which publication of the agent's day a row belongs to: later loads win, then later files.
        max(_dlt_load_id || '|' || source_file) over (
            partition by agent_id, schedule_date
        ) as latest_publication
    from source
),

latest as (
    select
        *,
        row_number() over (
            partition by agent_id, schedule_date, start_at, end_at, activity
            order by line_number
        ) as delivery_rank
    from published
    where _dlt_load_id || '|' || source_file = latest_publication
),

final as (
    select
        source_file || ':' || cast(line_number as varchar) || '@' || _dlt_load_id as schedule_activity_id,
        source_file,
        line_number,
        trim(agent_id) as agent_id,
        nullif(trim(agent_name), '') as agent_name,
        nullif(trim(team), '') as team_name,
        schedule_date,
        upper(trim(activity)) as activity,
        start_at as started_at,
        end_at as ended_at
    from latest
    where delivery_rank = 1
)

select * from final
