with

source as (
    {{ raw_table('zendesk', 'schedule_holidays', {
        'schedule_id': 'bigint', 'id': 'bigint', 'name': 'varchar', 'start_date': 'date',
        'end_date': 'date', '_dlt_load_id': 'varchar'
    }) }}
)

select
    id as holiday_id,
    schedule_id,
    name as holiday_name,
    start_date,
    end_date
from source
