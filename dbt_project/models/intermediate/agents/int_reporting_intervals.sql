{#- One row per reporting interval (var interval_minutes, site-local, D6) from the first agent state
    or schedule segment to the last one (schedules reach into the forecast horizon): the interval's
    UTC start and end, its local wall-clock start and its site-local report date. On the autumn DST
    day the repeated local hour gives two intervals with the same interval_start and different
    instants; on the spring day the skipped hour has none.

    Every UTC offset in use is a multiple of 15 minutes, so the local interval boundaries lie on a
    UTC grid of gcd(interval_minutes, 15) minutes: the grid is walked, each point labelled with its
    local interval, and the interval's instant is the point minus its minutes into the interval
    (an interval never straddles a DST change, D6). -#}
{%- set interval_minutes = var('interval_minutes') | int -%}
{%- set grid_minutes = 15 if interval_minutes % 15 == 0 else 5 -%}
with

bounds as (
    select min(started_at) as first_at, max(ended_at) as last_at
    from (
        select started_at, coalesce(span_ended_at, started_at) as ended_at from {{ ref('int_agent_state_spans') }}
        union all
        select started_at, ended_at from {{ ref('stg_wfm__schedule_activities') }}
    ) as instants
),

grid as (
    {{ instant_series(
        floor_instant('(select first_at from bounds)', 60),
        '(select last_at from bounds)',
        grid_minutes) }}
),

labelled as (
    select
        instant,
        {{ to_site_local('instant') }} as local_at
    from grid
),

interval_starts as (
    select distinct
        {{ dbt.dateadd('minute',
            '-1 * (cast(extract(minute from local_at) as integer) % ' ~ interval_minutes ~ ')',
            'instant') }} as interval_start_utc
    from labelled
),

final as (
    select
        interval_start_utc,
        {{ dbt.dateadd('minute', interval_minutes, 'interval_start_utc') }} as interval_end_utc,
        {{ local_interval_start(to_site_local('interval_start_utc')) }} as interval_start,
        cast({{ to_site_local('interval_start_utc') }} as date) as report_date
    from interval_starts
)

select * from final
