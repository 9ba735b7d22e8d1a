with

child as (
    {{ raw_table('zendesk', 'sla_policies__policy_metrics', {
        'priority': 'varchar', 'metric': 'varchar', 'target': 'bigint', 'business_hours': 'boolean',
        '_dlt_parent_id': 'varchar'
    }, completed_only=false) }}
),

policies as (
    select * from {{ ref('stg_zendesk__sla_policies') }}
)

select
    policies.sla_policy_id,
    lower(child.priority) as priority,
    lower(child.metric) as metric,
    child.target as target_minutes,
    coalesce(child.business_hours, false) as in_business_hours
from child
inner join policies
    on child._dlt_parent_id = policies.dlt_id
