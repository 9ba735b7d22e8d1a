{#- Fails for rows where both columns are set and differ by more than `seconds`: two records of
    the same duration that should agree (for example the CDR and the queue_log). -#}
{% test within_seconds_of(model, column_name, other_column, seconds) %}
select {{ column_name }}, {{ other_column }}
from {{ model }}
where {{ column_name }} is not null
    and {{ other_column }} is not null
    and abs({{ column_name }} - {{ other_column }}) > {{ seconds }}
{% endtest %}
