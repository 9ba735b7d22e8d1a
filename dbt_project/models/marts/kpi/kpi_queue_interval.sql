{{ config(materialized='incremental', incremental_strategy='day_window', on_schema_change='fail') }}

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
        {{ voice_kpi_count_columns() }},
        {{ voice_kpi_ratios() }}
    from aggregated_to_queue_interval
)

select * from final
where {{ in_day_window() }}
