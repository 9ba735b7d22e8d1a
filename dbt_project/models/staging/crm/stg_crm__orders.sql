{#- One row per order (a re-delivered line counts once). -#}
with

source as (
    {{ raw_table('crm', 'orders', {
        'order_id': 'varchar', 'customer_id': 'varchar', 'ordered_at': 'timestamp with time zone',
        'amount': 'numeric(18, 4)', 'currency': 'varchar',
        'source_file': 'varchar', 'line_number': 'bigint', '_dlt_load_id': 'varchar'
    }) }}
),

ranked as (
    select
        *,
        row_number() over (
            partition by order_id
            order by _dlt_load_id desc, source_file desc, line_number desc
        ) as version_rank
    from source
)

select
    order_id,
    customer_id,
    ordered_at,
    amount,
    upper(currency) as currency
from ranked
where version_rank = 1
