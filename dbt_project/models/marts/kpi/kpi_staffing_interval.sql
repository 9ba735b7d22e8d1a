{#- Staffing per forecast interval (KPI_DEFINITIONS.md required_agents, staffing_gap; D30): the
    forecast offered calls and AHT of all queues, the agents Erlang C requires for
    `service_level_target` within `service_level_seconds` (pooled over the queues, and the sum of
    each queue's own requirement as the upper bound when agents cannot help another queue),
    Erlang A where callers abandon, the positions to schedule with `staffing_shrinkage`, and the
    phone agents the published schedule has on shift and on the queue; staffing_gap = scheduled
    agents - required positions (negative: short). Agents are time-weighted: a shift that covers
    half the interval counts 0.5. On a day no schedule has been published for, scheduled agents
    and the gap are NULL (unknown), not 0. -#}
{%- set interval_seconds = (var('interval_minutes') | int) * 60 -%}
with

staffing as (
    select * from {{ ref('stg_forecast__interval_staffing') }}
),

queue_forecast as (
    select * from {{ ref('stg_forecast__queue_intervals') }}
),

scheduled as (
    select * from {{ ref('fct_agent_schedule_intervals') }}
),

phone_agents as (
    -- Agents known to the telephony feeds (the digital agents' schedules do not staff the phones).
    select agent_id from {{ ref('dim_agents') }}
),

published_days as (
    -- Dates the WFM tool has published a schedule for: elsewhere "scheduled" is unknown, not 0.
    select distinct schedule_date from {{ ref('stg_wfm__schedule_activities') }}
),

by_queue as (
    select
        interval_start_utc,
        cast(sum(required_agents) as bigint) as required_agents_by_queue,
        count(*) as queues
    from queue_forecast
    group by interval_start_utc
),

scheduled_intervals as (
    select
        scheduled.interval_start_utc,
        sum(scheduled.scheduled_seconds) as scheduled_seconds,
        sum(case when scheduled.is_on_queue then scheduled.scheduled_seconds else 0 end) as scheduled_on_queue_seconds
    from scheduled
    inner join phone_agents
        on scheduled.agent_id = phone_agents.agent_id
    group by scheduled.interval_start_utc
),

positions as (
    select
        staffing.*,
        by_queue.required_agents_by_queue,
        -- Rounded before the ceiling: 14 / (1 - 0.3) is 20.000000000000004 in floating point.
        cast(ceil(round(cast(staffing.required_agents as numeric(18, 6))
            / (1 - {{ var('staffing_shrinkage') }}), 6)) as integer) as required_positions,
        case when published_days.schedule_date is not null or scheduled_intervals.interval_start_utc is not null then
            cast(coalesce(scheduled_intervals.scheduled_seconds, 0) as double precision) / {{ interval_seconds }}
        end as scheduled_agents,
        case when published_days.schedule_date is not null or scheduled_intervals.interval_start_utc is not null then
            cast(coalesce(scheduled_intervals.scheduled_on_queue_seconds, 0) as double precision) / {{ interval_seconds }}
        end as scheduled_on_queue_agents
    from staffing
    left join by_queue
        on staffing.interval_start_utc = by_queue.interval_start_utc
    left join scheduled_intervals
        on staffing.interval_start_utc = scheduled_intervals.interval_start_utc
    left join published_days
        on staffing.report_date = published_days.schedule_date
),

final as (
    select
        report_date,
        interval_start,
        interval_start_utc,
        forecast_offered,
        forecast_aht_seconds,
        forecast_offered * forecast_aht_seconds / {{ interval_seconds }} as forecast_erlangs,
        required_agents,
        required_agents_by_queue,
        required_agents_erlang_a,
        expected_service_level,
        expected_occupancy,
        cast({{ var('staffing_shrinkage') }} as double precision) as shrinkage,
        required_positions,
        scheduled_agents,
        scheduled_on_queue_agents,
        scheduled_agents - required_positions as staffing_gap,
        forecast_made_at
    from positions
)

select * from final
