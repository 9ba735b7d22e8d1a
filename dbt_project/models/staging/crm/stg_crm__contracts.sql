{#- One row per contract: the latest export's line. -#}
with

source as (
    {{ raw_table('crm', 'contracts', {
        'contract_id': 'varchar', 'customer_id': 'varchar', 'product': 'varchar', 'start_date': 'date',
        'end_date': 'date', 'monthly_value': 'numeric(18, 4)', 'currency': 'varchar',
        'previous_contract_id': 'varchar', 'status': 'varchar',
        'source_file': 'varchar', 'line_number': 'bigint', '_dlt_load_id': 'varchar'
    }) }}
),

ranked as (
    select
        *,
        row_number() over (
            partition by contract_id
            order by _dlt_load_id desc, source_file desc, line_number desc
        ) as version_rank
    from source
)

select
    contract_id,
    customer_id,
    product,
    start_date,
    end_date,
    monthly_value,
    upper(currency) as currency,
    nullif(trim(previous_contract_id), '') as previous_contract_id,
    lower(status) as status
from ranked
where version_rank = 1
