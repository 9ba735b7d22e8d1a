{#- One row per forecast interval: the queues' forecast pooled and its Erlang staffing (the latest
    forecast run). -#}
with

source as (
    {{ raw_table('forecast', 'interval_staffing', {
        'report_date': 'date', 'interval_start': 'timestamp',
        'interval_start_utc': 'timestamp with time zone', 'forecast_offered': 'double precision',
        'forecast_aht_seconds': 'double precision', 'required_agents': 'integer',
        'required_agents_erlang_a': 'integer', 'expected_service_level': 'double precision',
        'expected_occupancy': 'double precision', 'forecast_made_at': 'timestamp with time zone'
    }) }}
)

select * from source
