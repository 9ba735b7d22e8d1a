{#- Which CRM customer a pseudonymized phone or e-mail belongs to: one row per identity. When two
    customers share one (a family phone), the most recently updated customer has it (D21). -#}
with

customers as (
    select * from {{ ref('stg_crm__customers') }}
),

identities as (
    select 'phone' as identity_kind, phone_hash as identity_hash, customer_id, updated_at
    from customers
    where phone_hash is not null
    union all
    select 'email', email_hash, customer_id, updated_at
    from customers
    where email_hash is not null
),

ranked as (
    select
        *,
        row_number() over (
            partition by identity_kind, identity_hash
            order by updated_at desc nulls last, customer_id
        ) as owner_rank
    from identities
)

select identity_kind, identity_hash, customer_id
from ranked
where owner_rank = 1
