"""Assets by layer: landed exports -> raw tables -> dbt models -> published BI copy -> report."""
