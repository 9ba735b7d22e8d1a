{#- One row per queue per forecast interval (the latest forecast run). -#}
with

source as (
    {{ raw_table('forecast', 'queue_interval_forecast', {
        'queue_name': 'varchar', 'report_date': 'date', 'interval_start': 'timestamp',
        'interval_start_utc': 'timestamp with time zone', 'forecast_offered': 'double precision',
        'forecast_aht_seconds': 'double precision', 'method': 'varchar', 'required_agents': 'integer',
        'required_agents_erlang_a': 'integer', 'expected_service_level': 'double precision',
        'expected_occupancy': 'double precision', 'patience_seconds': 'double precision',
        'forecast_made_at': 'timestamp with time zone', 'history_end_date': 'date'
    }) }}
)

select * from source
