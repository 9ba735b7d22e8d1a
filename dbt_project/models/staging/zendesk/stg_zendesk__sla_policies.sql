{#- SLA policies with their conditions. `filter` is `{"all": [...], "any": [...]}` as JSON text. -#}
with

source as (
    {{ raw_table('zendesk', 'sla_policies', {
        'id': 'bigint', 'title': 'varchar', 'position': 'bigint', 'filter': 'varchar',
        '_dlt_id': 'varchar', '_dlt_load_id': 'varchar'
    }) }}
)

select
    id as sla_policy_id,
    title as sla_policy_title,
    "position" as sla_policy_position,
    "filter" as filter_json,
    _dlt_id as dlt_id
from source
