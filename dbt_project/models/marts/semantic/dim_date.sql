{#- One row per calendar day from `calendar_start` through five years after today: the days BI
    tools join their facts on, and MetricFlow's time spine (metric_time). -#}
with

days as (
    {{ dbt.date_spine('day', "cast('" ~ var('calendar_start') ~ "' as date)",
                      dbt.dateadd('year', 5, 'current_date')) }}
),

final as (
    select
        cast(date_day as date) as date_day,
        {{ day_of_week("cast(date_day as date)") }} as day_of_week,
        cast({{ dbt.date_trunc('week', 'date_day') }} as date) as week_start,
        cast({{ dbt.date_trunc('month', 'date_day') }} as date) as month_start
    from days
)

select * from final
