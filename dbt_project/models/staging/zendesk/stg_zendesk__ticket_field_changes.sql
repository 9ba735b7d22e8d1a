{#- Field changes of tickets: the initial values set by the creation audit (`Create`) and every
    later `Change`, with the audit's ticket, instant and updater. Values are text (ids too). -#}
with

child as (
    {{ raw_table('zendesk', 'ticket_events__child_events', {
        'id': 'bigint', 'event_type': 'varchar', 'field_name': 'varchar', 'value': 'varchar',
        'previous_value': 'varchar', '_dlt_parent_id': 'varchar', '_dlt_list_idx': 'bigint'
    }, completed_only=false) }}
),

audits as (
    select * from {{ ref('stg_zendesk__ticket_events') }}
)

select
    child.id as change_id,
    audits.audit_id,
    audits.ticket_id,
    audits.audited_at as changed_at,
    audits.updater_id,
    -- The creation audit's children are `Create` events (the audits API names the audit itself
    -- `Create` instead): the ticket's initial values.
    child.event_type = 'Create' or audits.event_type = 'Create' as is_initial_value,
    child.field_name,
    child.value,
    child.previous_value,
    child._dlt_list_idx as position_in_audit
from child
inner join audits
    on child._dlt_parent_id = audits.dlt_id
where child.event_type in ('Create', 'Change')
    and child.field_name is not null
