{#- Spark targets: declare every dbt source as an external Parquet table over the copy of the
    raw layer that `funnel build --target spark` exports (FUNNEL_RAW_PARQUET). Spark runs one
    statement per call, so each is its own adapter.execute (not run_query: over Thrift, fetching the
    empty result of DDL fails in PyHive). DuckDB reads raw tables in place. -#}
{% macro register_raw_sources() %}
    {%- if execute and target.type == 'spark' -%}
        {%- set root = env_var('FUNNEL_RAW_PARQUET', '') -%}
        {%- if root == '' -%}
            {{ exceptions.raise_compiler_error("FUNNEL_RAW_PARQUET is not set: run the Spark build through `funnel build --target spark`, which exports the raw layer first.") }}
        {%- endif -%}
        {%- set schemas = [] -%}
        {%- for source in graph.sources.values() -%}
            {%- if source.schema not in schemas -%}
                {%- do adapter.execute('create database if not exists ' ~ source.schema) -%}
                {%- do schemas.append(source.schema) -%}
            {%- endif -%}
            {%- set relation = source.schema ~ '.' ~ source.identifier -%}
            {%- do adapter.execute('drop table if exists ' ~ relation) -%}
            {%- do adapter.execute("create table " ~ relation ~ " using parquet location '" ~ root ~ "/" ~ source.schema ~ "/" ~ source.identifier ~ "'") -%}
        {%- endfor -%}
    {%- endif -%}
{% endmacro %}
