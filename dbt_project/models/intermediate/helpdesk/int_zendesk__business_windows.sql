{#- The open windows of every business-hours schedule as UTC instants, one row per schedule, local
    date and weekly interval (cut at local midnight), holidays removed, in time order with the
    open seconds before each window (macros/business_time.sql, D14). The timeline covers every
    local date from a week before the first ticket to a week after the latest audit. -#}
with

schedules as (
    select * from {{ ref('stg_zendesk__schedules') }}
),

intervals as (
    select * from {{ ref('stg_zendesk__schedule_intervals') }}
),

holidays as (
    select * from {{ ref('stg_zendesk__schedule_holidays') }}
),

bounds as (
    select
        cast(min(created_at) as date) - 7 as first_day,
        (
            select cast(max(audited_at) as date) + 7
            from {{ ref('stg_zendesk__ticket_events') }}
        ) as last_day
    from {{ ref('stg_zendesk__tickets') }}
),

days as (
    {{ date_series('(select first_day from bounds)', '(select coalesce(last_day, first_day) from bounds)') }}
),

local_windows as (
    -- Minutes from Sunday 00:00: the local date covers [dow * 1440, (dow + 1) * 1440).
    select
        intervals.schedule_id,
        days.day,
        greatest(intervals.start_minute_of_week, {{ day_of_week('days.day') }} * 1440)
            - {{ day_of_week('days.day') }} * 1440 as open_minute,
        least(intervals.end_minute_of_week, ({{ day_of_week('days.day') }} + 1) * 1440)
            - {{ day_of_week('days.day') }} * 1440 as close_minute
    from intervals
    cross join days
),

open_days as (
    select local_windows.*
    from local_windows
    where local_windows.close_minute > local_windows.open_minute
        and not exists (
            select 1
            from holidays
            where holidays.schedule_id = local_windows.schedule_id
                and local_windows.day between holidays.start_date and holidays.end_date
        )
),

instants as (
    select
        open_days.schedule_id,
        open_days.day as local_date,
        {{ local_to_instant(dbt.dateadd('minute', 'open_days.open_minute', 'cast(open_days.day as timestamp)'), 'schedules.time_zone') }}
            as window_start_at,
        {{ local_to_instant(dbt.dateadd('minute', 'open_days.close_minute', 'cast(open_days.day as timestamp)'), 'schedules.time_zone') }}
            as window_end_at
    from open_days
    inner join schedules
        on open_days.schedule_id = schedules.schedule_id
),

measured as (
    select
        *,
        {{ seconds_between('window_start_at', 'window_end_at') }} as open_seconds
    from instants
)

select
    schedule_id,
    local_date,
    window_start_at,
    window_end_at,
    open_seconds,
    coalesce(sum(open_seconds) over (
        partition by schedule_id
        order by window_start_at
        rows between unbounded preceding and 1 preceding
    ), 0) as open_seconds_before,
    lead(window_start_at) over (partition by schedule_id order by window_start_at) as next_window_start_at
from measured
