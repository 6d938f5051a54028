{#- A table built one batch of its rows at a time: the model's select, filtered to each batch in
    turn (config `batches`: a list of {column: value} filters that together cover every row), the
    first creating the table and each other appending to it. For a select whose working memory
    grows with everything it computes at once, e.g. exact percentiles over many segment cuts,
    which hold every value of their groups until the statement ends. The model stays one select
    (what unit tests and `dbt show` run); the engines' optimizers drop the union branches a batch's
    filter rules out, so each statement computes one batch. Atomic on DuckDB (one transaction);
    on Spark, like its table materialization, the old table is dropped first. -#}
{% materialization batched_table, default %}
  {%- set batches = config.require('batches') -%}
  {%- if batches | length == 0 -%}
    {{ exceptions.raise_compiler_error("batched_table " ~ this ~ ": config `batches` is empty") }}
  {%- endif -%}
  {%- set existing_relation = load_cached_relation(this) -%}
  {%- set target_relation = this.incorporate(type='table') -%}

  {{ run_hooks(pre_hooks, inside_transaction=False) }}
  {{ run_hooks(pre_hooks, inside_transaction=True) }}

  {{ drop_relation_if_exists(existing_relation) }}
  {% call statement('main') -%}
    {{ create_table_as(False, target_relation, batch_select(compiled_code, batches[0])) }}
  {%- endcall %}
  {% for batch in batches[1:] %}
    {% call statement('batch_' ~ loop.index) -%}
      insert into {{ target_relation }}
      {{ batch_select(compiled_code, batch) }}
    {%- endcall %}
  {% endfor %}

  {{ run_hooks(post_hooks, inside_transaction=True) }}
  {% do persist_docs(target_relation, model) %}
  {{ adapter.commit() }}
  {{ run_hooks(post_hooks, inside_transaction=False) }}

  {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}


{#- The model's select restricted to one batch: every column of the batch equal to its value. -#}
{% macro batch_select(model_sql, batch) -%}
    select *
    from (
        {{ model_sql }}
    ) as model_rows
    where
    {%- for column, value in batch.items() %}
        {% if not loop.first %}and {% endif %}{{ column }} = '{{ value | replace("'", "''") }}'
    {%- endfor %}
{%- endmacro %}
