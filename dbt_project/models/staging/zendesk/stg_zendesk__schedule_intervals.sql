{#- Weekly open intervals of a schedule, in minutes from Sunday 00:00 in the schedule's zone
    (Zendesk's convention: 1980-2460 is Monday 09:00-17:00). -#}
with

child as (
    {{ raw_table('zendesk', 'schedules__intervals', {
        'start_time': 'bigint', 'end_time': 'bigint', '_dlt_parent_id': 'varchar'
    }, completed_only=false) }}
),

schedules as (
    select * from {{ ref('stg_zendesk__schedules') }}
)

select
    schedules.schedule_id,
    child.start_time as start_minute_of_week,
    child.end_time as end_minute_of_week
from child
inner join schedules
    on child._dlt_parent_id = schedules.dlt_id
