{#- One row per activity segment of an agent's published schedule (D28): a file re-published under
    its name replaces its earlier version for its dates (agents it no longer names are dropped);
    across files, each agent's latest publication of a date wins (the latest load, then the latest
    file name); a line delivered twice counts once. -#}
with

source as (
    {{ raw_table('wfm', 'schedule_activities', {
        'agent_id': 'varchar', 'agent_name': 'varchar', 'team': 'varchar', 'schedule_date': 'date',
        'activity': 'varchar', 'start_at': 'timestamp with time zone', 'end_at': 'timestamp with time zone',
        'source_file': 'varchar', 'line_number': 'bigint', '_dlt_load_id': 'varchar'
    }) }}
),

file_versions as (
    -- A file re-published under its name replaces its earlier version for the dates it holds: an
    -- agent dropped from the new version is no longer scheduled by that file.
    select
        *,
        max(_dlt_load_id) over (partition by source_file, schedule_date) as latest_file_load
    from source
),

current_files as (
    select *
    from file_versions
    where _dlt_load_id = latest_file_load
),

published as (
    -- Across files, an agent's latest publication of a date wins (a later file for the same date
    -- replaces that agent's plan): later loads first, then later file names.
    select
        *,
        max(_dlt_load_id || '|' || source_file) over (
            partition by agent_id, schedule_date
        ) as latest_publication
    from current_files
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
