{{ config(materialized='incremental', incremental_strategy='day_window', on_schema_change='fail') }}

with

calls as (
    select * from {{ ref('fct_queue_calls') }}
),

aggregated_to_queue_day as (
    select
        queue_name,
        report_date,
        {{ voice_kpi_counts() }}
    from calls
    group by queue_name, report_date
),

final as (
    select
        queue_name,
        report_date,
        {{ voice_kpi_count_columns() }},
        {{ voice_kpi_ratios() }}
    from aggregated_to_queue_day
)

select * from final
where {{ in_day_window() }}
