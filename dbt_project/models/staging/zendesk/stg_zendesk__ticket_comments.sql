{#- Comments on tickets (public replies and internal notes), with the audit's ticket and instant.
    The text is kept only for the opening message (lower case, to classify the contact reason,
    D24); e-mails and numbers in it were scrubbed at ingestion, and no mart selects it. -#}
with

child as (
    {{ raw_table('zendesk', 'ticket_events__child_events', {
        'id': 'bigint', 'event_type': 'varchar', 'author_id': 'bigint', 'public': 'boolean',
        'body': 'varchar', '_dlt_parent_id': 'varchar', '_dlt_list_idx': 'bigint'
    }, completed_only=false) }}
),

audits as (
    select * from {{ ref('stg_zendesk__ticket_events') }}
),

creation_audits as (
    -- The audit that created the ticket sets its initial fields (`Create` children); its comment
    -- is the opening message.
    select distinct _dlt_parent_id as dlt_id
    from child
    where event_type = 'Create'
)

select
    child.id as comment_id,
    audits.audit_id,
    audits.ticket_id,
    audits.audited_at as commented_at,
    child.author_id,
    coalesce(child.public, false) as is_public,
    creation_audits.dlt_id is not null or audits.event_type = 'Create' as is_opening_message,
    length(child.body) as body_length,
    case when creation_audits.dlt_id is not null or audits.event_type = 'Create' then lower(child.body) end
        as opening_text
from child
inner join audits
    on child._dlt_parent_id = audits.dlt_id
left join creation_audits
    on audits.dlt_id = creation_audits.dlt_id
where child.event_type in ('Comment', 'VoiceComment')
