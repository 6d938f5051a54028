{#- The raw layer's lineage columns, renamed, for the end of every staging model's column
    list. extra_columns (the raw _extra JSON of columns the spec does not know) is left out of
    person-like models, where unknown columns may hold personal data in clear. -#}
{% macro lineage_columns(include_extra=true) -%}
    _source_system as source_system,
    _source_file as source_file,
    _file_hash as source_file_hash,
    _row_number as source_row_number,
    _exported_at as exported_at,
    _loaded_at as loaded_at,
    _run_id as load_run_id
    {%- if include_extra %},
    {{ clean_text('_extra') }} as extra_columns
    {%- endif %}
{%- endmacro %}
