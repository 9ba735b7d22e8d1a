{#- Every moment an SLA clock may start (D19), with the audit that starts it and the moment it is
    fulfilled (NULL: not yet):
    - first_reply_time: the creation of an inbound ticket, fulfilled by the first public agent reply;
    - requester_wait_time and agent_work_time: the creation of any ticket, fulfilled by the last
      solve once the ticket is solved or closed (they differ in the statuses they count);
    - next_reply_time: each public end-user comment after a public agent comment, fulfilled by the
      next public agent comment. Comments answered by the same agent comment form one `reply_cycle`;
      the first of them for which a policy applies starts the clock (fct_ticket_sla).
    Deleted tickets have no SLA clocks. -#}
with

tickets as (
    select * from {{ ref('fct_tickets') }}
    where not is_deleted
),

creation_audits as (
    select ticket_id, min(audit_id) as audit_id
    from {{ ref('stg_zendesk__ticket_field_changes') }}
    where is_initial_value
    group by ticket_id
),

agents as (
    select user_id from {{ ref('int_zendesk__agents') }}
),

public_comments as (
    select
        comments.ticket_id,
        comments.audit_id,
        comments.comment_id,
        comments.commented_at,
        agents.user_id is not null as is_by_agent,
        row_number() over (
            partition by comments.ticket_id
            order by comments.commented_at, comments.audit_id, comments.comment_id
        ) as comment_seq
    from {{ ref('stg_zendesk__ticket_comments') }} as comments
    left join agents
        on comments.author_id = agents.user_id
    where comments.is_public
),

placed as (
    select
        *,
        max(case when is_by_agent then comment_seq end) over (
            partition by ticket_id order by comment_seq
            rows between unbounded preceding and 1 preceding
        ) as previous_agent_seq,
        min(case when is_by_agent then comment_seq end) over (
            partition by ticket_id order by comment_seq
            rows between 1 following and unbounded following
        ) as next_agent_seq
    from public_comments
),

next_reply_starts as (
    select
        placed.ticket_id,
        'next_reply_time' as metric,
        placed.audit_id as start_audit_id,
        placed.commented_at as started_at,
        answers.commented_at as fulfilled_at,
        coalesce(placed.next_agent_seq, 0) as reply_cycle,
        placed.comment_seq as start_seq
    from placed
    inner join tickets
        on placed.ticket_id = tickets.ticket_id
    left join placed as answers
        on placed.ticket_id = answers.ticket_id
        and placed.next_agent_seq = answers.comment_seq
    where not placed.is_by_agent
        and placed.previous_agent_seq is not null
),

creation_starts as (
    select
        tickets.ticket_id,
        'first_reply_time' as metric,
        creation_audits.audit_id as start_audit_id,
        tickets.created_at as started_at,
        tickets.first_reply_at as fulfilled_at,
        0 as reply_cycle,
        0 as start_seq
    from tickets
    left join creation_audits
        on tickets.ticket_id = creation_audits.ticket_id
    where not tickets.is_outbound
    union all
    select
        tickets.ticket_id,
        'requester_wait_time',
        creation_audits.audit_id,
        tickets.created_at,
        case when tickets.status in ('solved', 'closed') then tickets.last_solved_at end,
        0,
        0
    from tickets
    left join creation_audits
        on tickets.ticket_id = creation_audits.ticket_id
    union all
    select
        tickets.ticket_id,
        'agent_work_time',
        creation_audits.audit_id,
        tickets.created_at,
        case when tickets.status in ('solved', 'closed') then tickets.last_solved_at end,
        0,
        0
    from tickets
    left join creation_audits
        on tickets.ticket_id = creation_audits.ticket_id
)

select
    starts.*,
    tickets.channel,
    tickets.schedule_id
from (
    select * from creation_starts
    union all
    select * from next_reply_starts
) as starts
inner join tickets
    on starts.ticket_id = tickets.ticket_id
