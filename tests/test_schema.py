from ptx.schema import KO41A_SUBJECTS, TABLES, schema_markdown


def test_every_table_has_its_key_among_its_columns():
    for table in TABLES.values():
        assert set(table.key) <= set(table.column_names)
        for key in table.key:
            assert table.column(key).required


def test_markdown_lists_every_column():
    text = schema_markdown()
    for table in TABLES.values():
        assert f"`{table.name}`" in text
        for col in table.columns:
            assert f"| `{col.name}` | {col.type} |" in text


def test_ko41a_list_is_complete_and_unique():
    assert len(KO41A_SUBJECTS) == len(set(KO41A_SUBJECTS)) == 21
    assert "Clinical treatment" in KO41A_SUBJECTS
