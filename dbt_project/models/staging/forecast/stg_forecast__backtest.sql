{#- One row per queue (and one for all queues, queue_name `*`) with the error of the forecast on
    the held-out last days of history (the latest forecast run). -#}
with

source as (
    {{ raw_table('forecast', 'forecast_backtest', {
        'queue_name': 'varchar', 'holdout_start': 'date', 'holdout_end': 'date', 'days': 'integer',
        'actual_offered': 'double precision', 'forecast_offered': 'double precision',
        'daily_mape': 'double precision', 'interval_wape': 'double precision', 'aht_wape': 'double precision', 'method': 'varchar',
        'forecast_made_at': 'timestamp with time zone'
    }) }}
)

select * from source
