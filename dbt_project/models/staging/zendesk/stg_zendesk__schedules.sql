{#- Business-hours schedules, with the IANA zone of Zendesk's time zone name (seed
    zendesk_time_zones; a name that is already IANA is kept). -#}
with

source as (
    {{ raw_table('zendesk', 'schedules', {
        'id': 'bigint', 'name': 'varchar', 'time_zone': 'varchar', 'created_at': 'timestamp with time zone',
        '_dlt_id': 'varchar', '_dlt_load_id': 'varchar'
    }) }}
),

zones as (
    select * from {{ ref('zendesk_time_zones') }}
)

select
    source.id as schedule_id,
    source.name as schedule_name,
    source.time_zone as zendesk_time_zone,
    coalesce(zones.iana_time_zone, source.time_zone) as time_zone,
    source.created_at,
    source._dlt_id as dlt_id
from source
left join zones
    on source.time_zone = zones.zendesk_time_zone
