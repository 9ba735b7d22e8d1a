{#- One row per CRM customer: the experience their contacts had (waits, repeats, transfers,
    unresolved contacts, survey answers) and whether they churned, to relate one to the other
    (docs/cx_sources.md "Measures"). Churned: every contract of the customer ended before the
    site-local day of the latest contact loaded (`data_as_of`). -#}
with

customers as (
    select * from {{ ref('stg_crm__customers') }}
),

contracts as (
    select * from {{ ref('stg_crm__contracts') }}
),

contacts as (
    select * from {{ ref('fct_contacts') }}
),

surveys as (
    select * from {{ ref('int_cx__survey_responses_scored') }}
),

as_of as (
    select cast({{ to_site_local('max(started_at)') }} as date) as as_of_date from contacts
),

contract_status as (
    -- Churned: every contract ended before the day of the latest contact loaded.
    select
        contracts.customer_id,
        min(case when contracts.end_date is not null and contracts.end_date < as_of.as_of_date then 1 else 0 end)
            as has_no_running_contract
    from contracts
    cross join as_of
    group by contracts.customer_id
),

contact_summary as (
    select
        customer_id,
        count(*) as contacts,
        count(case when channel = 'voice' and wait_seconds > 60 then 1 end) as long_wait_calls,
        count(case when is_repeat_followed then 1 end) as repeat_contacts,
        count(case when is_transferred then 1 end) as transferred_contacts,
        count(case when is_fcr = false then 1 end) as unresolved_contacts
    from contacts
    where customer_id is not null
    group by customer_id
),

survey_summary as (
    select
        contacts.customer_id,
        count(case when surveys.survey_type = 'csat' and surveys.is_answered then 1 end) as csat_answered,
        count(case when surveys.is_answered and surveys.is_csat_satisfied then 1 end) as csat_satisfied
    from surveys
    inner join contacts
        on surveys.contact_id = contacts.contact_id
    where contacts.customer_id is not null
    group by contacts.customer_id
)

select
    customers.customer_id,
    customers.segment,
    customers.region,
    cast(coalesce(contact_summary.contacts, 0) as bigint) as contacts,
    cast(coalesce(contact_summary.long_wait_calls, 0) as bigint) as long_wait_calls,
    cast(coalesce(contact_summary.repeat_contacts, 0) as bigint) as repeat_contacts,
    cast(coalesce(contact_summary.transferred_contacts, 0) as bigint) as transferred_contacts,
    cast(coalesce(contact_summary.unresolved_contacts, 0) as bigint) as unresolved_contacts,
    cast(coalesce(survey_summary.csat_answered, 0) as bigint) as csat_answered,
    cast(coalesce(survey_summary.csat_satisfied, 0) as bigint) as csat_satisfied,
    coalesce(contract_status.has_no_running_contract = 1, false) as has_churned
from customers
left join contact_summary
    on customers.customer_id = contact_summary.customer_id
left join survey_summary
    on customers.customer_id = survey_summary.customer_id
left join contract_status
    on customers.customer_id = contract_status.customer_id
