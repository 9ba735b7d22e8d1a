{#- Every inbound customer contact on any channel, one row each (docs/cx_sources.md "Measures"):
    calls, inbound tickets that were not deleted, and IVR/bot sessions that did not reach an agent
    (a session handed to an agent is part of the call or chat it became). With the identities the
    customer may be found by, and the contact reason. -#}
with

calls as (
    select * from {{ ref('int_cx__calls_summarized') }}
),

tickets as (
    select * from {{ ref('fct_tickets') }}
    where not is_outbound
        and not is_deleted
),

ticket_subjects as (
    select ticket_id, lower(coalesce(subject, '')) as subject from {{ ref('stg_zendesk__tickets') }}
),

requesters as (
    select user_id, email_hash, phone_hash from {{ ref('stg_zendesk__users') }}
),

group_changes as (
    -- A ticket moved to another group after its creation was transferred (escalated).
    -- (the first group a ticket created without one gets is no transfer)
    select ticket_id, count(distinct value) > 1 as has_group_change
    from {{ ref('int_zendesk__ticket_field_history') }}
    where field_name = 'group_id'
        and value is not null
    group by ticket_id
),

sessions as (
    select * from {{ ref('stg_ivr__sessions') }}
),

menu_reasons as (
    select lower(cast(menu_key as varchar)) as menu_key, reason from {{ ref('ivr_menu_reasons') }}
),

keywords as (
    select lower(cast(keyword as varchar)) as keyword, reason, cast("rank" as integer) as keyword_rank
    from {{ ref('contact_reason_keywords') }}
),

call_sessions as (
    -- The IVR session that handed the call to a queue tells why the customer called.
    select callid, min(first_menu_key) as first_menu_key
    from sessions
    where outcome = 'agent_requested'
        and callid is not null
    group by callid
),

opening_texts as (
    select ticket_id, min(opening_text) as opening_text
    from {{ ref('stg_zendesk__ticket_comments') }}
    where is_opening_message
    group by ticket_id
),

ticket_texts as (
    -- The subject first; the customer's opening message when the subject names no reason.
    select ticket_subjects.ticket_id, 1 as text_rank, ticket_subjects.subject as text
    from ticket_subjects
    union all
    select opening_texts.ticket_id, 2, opening_texts.opening_text
    from opening_texts
    where opening_texts.opening_text is not null
),

ticket_reasons as (
    select ticket_id, reason
    from (
        select
            ticket_texts.ticket_id,
            keywords.reason,
            row_number() over (
                partition by ticket_texts.ticket_id
                order by ticket_texts.text_rank, keywords.keyword_rank, keywords.keyword
            ) as match_rank
        from ticket_texts
        inner join keywords
            on {{ dbt.position('keywords.keyword', 'ticket_texts.text') }} > 0
    ) as matched
    where match_rank = 1
),

call_contacts as (
    select
        'call:' || calls.callid as contact_id,
        'voice' as channel,
        calls.started_at,
        calls.report_date,
        calls.queue_name as queue_or_group,
        calls.agent_id,
        calls.is_transferred,
        calls.outcome,
        coalesce(menu_reasons.reason, 'unknown') as contact_reason,
        calls.caller_phone_hash as phone_hash,
        cast(null as varchar) as email_hash,
        cast(null as varchar) as customer_ref,
        calls.wait_seconds
    from calls
    left join call_sessions
        on calls.callid = call_sessions.callid
    left join menu_reasons
        on call_sessions.first_menu_key = menu_reasons.menu_key
),

ticket_contacts as (
    select
        'ticket:' || cast(tickets.ticket_id as varchar) as contact_id,
        tickets.channel,
        tickets.created_at as started_at,
        tickets.report_date,
        cast(tickets.created_group_id as varchar) as queue_or_group,
        cast(tickets.first_reply_agent_id as varchar) as agent_id,
        coalesce(group_changes.has_group_change, false) as is_transferred,
        case when tickets.status in ('solved', 'closed') then 'solved' else 'open' end as outcome,
        coalesce(ticket_reasons.reason, 'other') as contact_reason,
        requesters.phone_hash,
        requesters.email_hash,
        cast(null as varchar) as customer_ref,
        cast(null as double precision) as wait_seconds
    from tickets
    left join requesters
        on tickets.requester_id = requesters.user_id
    left join group_changes
        on tickets.ticket_id = group_changes.ticket_id
    left join ticket_reasons
        on tickets.ticket_id = ticket_reasons.ticket_id
),

session_contacts as (
    select
        sessions.session_kind || ':' || sessions.session_id as contact_id,
        sessions.session_kind as channel,
        sessions.started_at,
        cast({{ to_site_local('sessions.started_at') }} as date) as report_date,
        cast(null as varchar) as queue_or_group,
        cast(null as varchar) as agent_id,
        false as is_transferred,
        sessions.outcome,
        coalesce(menu_reasons.reason, 'unknown') as contact_reason,
        sessions.caller_phone_hash as phone_hash,
        cast(null as varchar) as email_hash,
        sessions.customer_ref,
        cast(null as double precision) as wait_seconds
    from sessions
    left join menu_reasons
        on sessions.first_menu_key = menu_reasons.menu_key
    where sessions.outcome in ('self_served', 'abandoned')
)

select * from call_contacts
union all
select * from ticket_contacts
union all
select * from session_contacts
