{#- One row per agent state per reporting interval it touches (KPI_DEFINITIONS.md "Agents and
    workforce"; D26): each logged-in state span cut at the interval boundaries (var
    interval_minutes, site-local), and so at site-local midnight, also on DST days. A call that
    runs over midnight gives its seconds to both days. -#}

{{ config(materialized='incremental', incremental_strategy='day_window', on_schema_change='fail') }}
with

spans as (
    select * from {{ ref('int_agent_state_spans') }}
    where span_ended_at > started_at
),

intervals as (
    select * from {{ ref('int_reporting_intervals') }}
),

cut as (
    select
        spans.agent_state_event_id,
        spans.agent_id,
        spans.agent_state,
        spans.state_group,
        spans.is_handling,
        spans.state_reason,
        spans.state_source,
        spans.is_open,
        spans.is_cut,
        intervals.report_date,
        intervals.interval_start,
        intervals.interval_start_utc,
        greatest(spans.started_at, intervals.interval_start_utc) as started_at,
        least(spans.span_ended_at, intervals.interval_end_utc) as ended_at
    from spans
    inner join intervals
        on intervals.interval_start_utc < spans.span_ended_at
        and intervals.interval_end_utc > spans.started_at
),

final as (
    select
        agent_state_event_id,
        agent_id,
        report_date,
        interval_start,
        interval_start_utc,
        agent_state,
        state_group,
        is_handling,
        state_reason,
        state_source,
        started_at,
        ended_at,
        {{ seconds_between('started_at', 'ended_at') }} as state_seconds,
        is_open,
        is_cut
    from cut
)

select * from final
where {{ in_day_window() }}
