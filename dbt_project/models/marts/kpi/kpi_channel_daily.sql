{#- Channel mix (KPI_DEFINITIONS.md channel_mix; D18): customer contacts per site-local day and
    channel, voice and digital side by side, with each channel's share of the day's inbound
    contacts. A call is one contact however many queues it visited (counted on the day of its first
    queue entry, refused calls included); a ticket is one contact on its creation day (inbound:
    the customer wrote first; outbound: an agent did; deleted spam is not a contact). -#}
with

calls as (
    select
        callid,
        min(report_date) as report_date
    from {{ ref('fct_queue_calls') }}
    group by callid
),

voice as (
    select
        report_date,
        'voice' as channel,
        'voice' as medium,
        count(*) as inbound_contacts,
        0 as outbound_contacts
    from calls
    group by report_date
),

digital as (
    select
        report_date,
        channel,
        'digital' as medium,
        count(case when not is_outbound then 1 end) as inbound_contacts,
        count(case when is_outbound then 1 end) as outbound_contacts
    from {{ ref('fct_tickets') }}
    where not is_deleted
    group by report_date, channel
),

combined as (
    select * from voice
    union all
    select * from digital
),

final as (
    select
        report_date,
        channel,
        medium,
        cast(inbound_contacts as bigint) as inbound_contacts,
        cast(outbound_contacts as bigint) as outbound_contacts,
        cast(sum(inbound_contacts) over (partition by report_date) as bigint) as day_inbound_contacts,
        {{ safe_ratio('inbound_contacts', 'sum(inbound_contacts) over (partition by report_date)') }}
            as inbound_share
    from combined
)

select * from final
