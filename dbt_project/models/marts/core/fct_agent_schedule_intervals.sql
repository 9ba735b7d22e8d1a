{#- One row per scheduled activity segment per reporting interval it touches (D28): the latest
    published schedule of each agent and date, cut at the interval boundaries (var
    interval_minutes, site-local) and so at site-local midnight. A night shift gives its hours to
    both days. Covers the future days the schedule is published for (the staffing horizon). -#}
with

segments as (
    select * from {{ ref('stg_wfm__schedule_activities') }}
),

activities as (
    select * from {{ ref('wfm_activities') }}
),

intervals as (
    select * from {{ ref('int_reporting_intervals') }}
),

cut as (
    select
        segments.schedule_activity_id,
        segments.agent_id,
        segments.agent_name,
        segments.team_name,
        segments.schedule_date,
        segments.activity,
        coalesce(activities.is_on_queue, false) as is_on_queue,
        activities.adherent_state_group,
        intervals.report_date,
        intervals.interval_start,
        intervals.interval_start_utc,
        greatest(segments.started_at, intervals.interval_start_utc) as started_at,
        least(segments.ended_at, intervals.interval_end_utc) as ended_at
    from segments
    left join activities
        on segments.activity = activities.activity
    inner join intervals
        on intervals.interval_start_utc < segments.ended_at
        and intervals.interval_end_utc > segments.started_at
),

final as (
    select
        schedule_activity_id,
        agent_id,
        agent_name,
        team_name,
        schedule_date,
        report_date,
        interval_start,
        interval_start_utc,
        activity,
        is_on_queue,
        adherent_state_group,
        started_at,
        ended_at,
        {{ seconds_between('started_at', 'ended_at') }} as scheduled_seconds
    from cut
)

select * from final
