with

calls as (
    select * from {{ ref('fct_queue_calls') }}
),

aggregated_to_queue_interval as (
    select
        queue_name,
        report_date,
        interval_start,
        interval_start_utc,
        {{ voice_kpi_counts() }}
    from calls
    group by queue_name, report_date, interval_start, interval_start_utc
),

final as (
    select
        queue_name,
        report_date,
        interval_start,
        interval_start_utc,
        {{ dbt.dateadd('minute', var('interval_minutes'), 'interval_start') }} as interval_end,
        offered,
        answered,
        abandoned,
        short_abandoned,
        abandoned_within_sl,
        answered_within_sl,
        timed_out,
        exited_with_key,
        exited_empty,
        blocked,
        blocked_empty,
        blocked_full,
        blocked_closed,
        blocked_diverted,
        in_progress,
        lost,
        transferred,
        handled,
        answered_wait_seconds,
        abandoned_wait_seconds,
        max_wait_seconds,
        talk_seconds,
        hold_seconds,
        acw_seconds,
        handle_seconds,
        {{ voice_kpi_ratios() }}
    from aggregated_to_queue_interval
)

select * from final
