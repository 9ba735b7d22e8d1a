{#- One row per CRM customer: the latest export's line (full exports; D21). Names stay in raw. -#}
with

source as (
    {{ raw_table('crm', 'customers', {
        'customer_id': 'varchar', 'phone_hash': 'varchar', 'email_hash': 'varchar', 'segment': 'varchar',
        'region': 'varchar', 'created_at': 'timestamp with time zone', 'updated_at': 'timestamp with time zone',
        'source_file': 'varchar', 'line_number': 'bigint', '_dlt_load_id': 'varchar'
    }) }}
),

ranked as (
    select
        *,
        row_number() over (
            partition by customer_id
            order by _dlt_load_id desc, source_file desc, line_number desc
        ) as version_rank
    from source
)

select
    customer_id,
    phone_hash,
    email_hash,
    lower(segment) as segment,
    lower(region) as region,
    created_at,
    updated_at
from ranked
where version_rank = 1
