{#- One row per inbound customer contact on any channel (call, ticket, chat, message, IVR or bot
    session), with the customer when known, and whether the customer came back within
    `fcr_window_days` (KPI_DEFINITIONS.md fcr, repeat_contact_rate; docs/cx_sources.md "Measures";
    D22). A contact whose window has not closed yet and that nothing followed is NULL (pending),
    not resolved. -#}
with

contacts as (
    select * from {{ ref('int_cx__contacts_unioned') }}
),

identities as (
    select * from {{ ref('int_cx__customer_identities') }}
),

customers as (
    select customer_id from {{ ref('stg_crm__customers') }}
),

identified as (
    -- The CRM id the channel gives (a logged-in bot), else the e-mail, else the phone.
    select
        contacts.*,
        coalesce(
            (select customers.customer_id from customers where customers.customer_id = contacts.customer_ref),
            by_email.customer_id,
            by_phone.customer_id
        ) as customer_id
    from contacts
    left join identities as by_email
        on by_email.identity_kind = 'email'
        and contacts.email_hash = by_email.identity_hash
    left join identities as by_phone
        on by_phone.identity_kind = 'phone'
        and contacts.phone_hash = by_phone.identity_hash
),

as_of as (
    select max(started_at) as data_as_of from contacts
),

sequenced as (
    select
        identified.*,
        lead(identified.started_at) over (
            partition by identified.customer_id
            order by identified.started_at, identified.contact_id
        ) as next_contact_at
    from identified
),

windowed as (
    select
        sequenced.*,
        sequenced.customer_id is not null
            and sequenced.next_contact_at is not null
            and {{ seconds_between('sequenced.started_at', 'sequenced.next_contact_at') }}
                <= {{ var('fcr_window_days') }} * 86400 as is_followed,
        {{ seconds_between('sequenced.started_at', 'as_of.data_as_of') }}
            >= {{ var('fcr_window_days') }} * 86400 as is_window_closed
    from sequenced
    cross join as_of
)

select
    contact_id,
    channel,
    case when channel = 'voice' then 'voice' when channel in ('ivr', 'bot') then 'self_service' else 'digital' end
        as medium,
    started_at,
    report_date,
    customer_id,
    customer_id is not null as has_known_customer,
    queue_or_group,
    agent_id,
    contact_reason,
    outcome,
    is_transferred,
    wait_seconds,
    next_contact_at,
    case
        when customer_id is null then null
        when is_followed then true
        when is_window_closed then false
    end as is_repeat_followed,
    case
        when customer_id is null then null
        when is_followed then false
        when is_window_closed then not is_transferred
    end as is_fcr
from windowed
