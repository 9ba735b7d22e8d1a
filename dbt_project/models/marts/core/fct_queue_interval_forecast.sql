{#- One row per queue per forecast interval of the next `forecast_horizon_days` site-local days:
    forecast offered calls and AHT, the method that made them, and the Erlang staffing of the
    queue alone (D30). -#}
with

forecast as (
    select * from {{ ref('stg_forecast__queue_intervals') }}
),

final as (
    select
        queue_name,
        report_date,
        interval_start,
        interval_start_utc,
        forecast_offered,
        forecast_aht_seconds,
        method,
        required_agents,
        required_agents_erlang_a,
        expected_service_level,
        expected_occupancy,
        patience_seconds,
        history_end_date,
        forecast_made_at
    from forecast
)

select * from final
