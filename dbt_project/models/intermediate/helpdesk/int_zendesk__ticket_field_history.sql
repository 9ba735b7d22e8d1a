{#- The timeline of the ticket fields the KPIs follow (status, group, priority, assignee): one row
    per value a field took, valid from its change until the next change of that field (NULL: still
    current). Changes in one second keep the order of their audits (ids increase). -#}
with

changes as (
    select *
    from {{ ref('stg_zendesk__ticket_field_changes') }}
    where field_name in ('status', 'group_id', 'priority', 'assignee_id')
)

select
    ticket_id,
    field_name,
    case when field_name = 'status' or field_name = 'priority' then lower(value) else value end as value,
    changed_at as valid_from,
    lead(changed_at) over (
        partition by ticket_id, field_name
        order by changed_at, audit_id, position_in_audit
    ) as valid_until,
    row_number() over (
        partition by ticket_id, field_name
        order by changed_at, audit_id, position_in_audit
    ) as change_seq,
    is_initial_value,
    case when field_name = 'status' or field_name = 'priority' then lower(previous_value) else previous_value end
        as previous_value,
    audit_id,
    updater_id
from changes
