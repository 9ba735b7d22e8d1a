{#- One row per queue, and one for all queues pooled (queue_name `*`): the error of the forecast
    method on the last `forecast_backtest_days` days of history, forecast from the days before
    them (D30). daily_mape: mean absolute percentage error of the daily totals; interval_wape:
    sum of absolute interval errors / actual calls; aht_wape: the share of the handled workload
    the forecast AHT misjudged. -#}
with

backtest as (
    select * from {{ ref('stg_forecast__backtest') }}
),

final as (
    select
        queue_name,
        holdout_start,
        holdout_end,
        days,
        actual_offered,
        forecast_offered,
        daily_mape,
        interval_wape,
        aht_wape,
        method,
        forecast_made_at
    from backtest
)

select * from final
