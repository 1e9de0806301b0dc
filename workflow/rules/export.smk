# Export: SPSS/Stata files, tidy tables with a data dictionary, REFI-QDA projects (the study's
# and the auto codings' for review, of the same texts, written together) and the codebook.


rule export_spss:
    input:
        case_category="results/mechanisms/case_by_category.csv",
        codebook="config/codebook.yaml",
        code=library_code("export", "coding", "mechanisms"),
    output:
        sav="results/exports/case_by_category.sav",
        dta="results/exports/case_by_category.dta",
    log:
        "logs/export/spss.log",
    conda:
        "../envs/gtflow.yaml"
    script:
        "../../scripts/export_spss.py"


rule export_qdpx:
    input:
        documents="results/clean/documents.parquet",
        texts="results/clean/text/index.parquet",
        codings="results/code/codings.parquet",
        review="results/code/review.csv",
        codebook="config/codebook.yaml",
        model="config/model.yaml",
        memos=memo_inputs,
        code=library_code("refi", "coding", "ingest", "clean", "memos.py"),
    output:
        project="results/exports/project.qdpx",
        review="results/exports/review.qdpx",
    log:
        "logs/export/qdpx.log",
    conda:
        "../envs/gtflow.yaml"
    params:
        project_name=config["study"]["name"],
    script:
        "../../scripts/export_qdpx.py"


rule export_qdc:
    input:
        codebook="config/codebook.yaml",
        code=library_code("refi", "coding", "clean", "ingest", "memos.py"),
    output:
        "results/exports/codebook.qdc",
    log:
        "logs/export/qdc.log",
    conda:
        "../envs/gtflow.yaml"
    script:
        "../../scripts/export_qdc.py"


rule export_tables:
    input:
        codings="results/code/codings.parquet",
        documents="results/clean/documents.parquet",
        codebook="config/codebook.yaml",
        case_main="results/mechanisms/case_by_main_category.csv",
        case_category="results/mechanisms/case_by_category.csv",
        code=library_code("export", "coding", "mechanisms"),
    output:
        concept_frequencies=report(
            "results/tables/concept_frequencies.csv",
            caption="../report/frequencies.rst",
            category="Tables",
        ),
        category_frequencies=report(
            "results/tables/category_frequencies.csv",
            caption="../report/frequencies.rst",
            category="Tables",
        ),
        main_category_frequencies=report(
            "results/tables/main_category_frequencies.csv",
            caption="../report/frequencies.rst",
            category="Tables",
        ),
        case_by_main_category=report(
            "results/tables/case_by_main_category.csv",
            caption="../report/case_by_main_category.rst",
            category="Tables",
        ),
        case_by_category="results/tables/case_by_category.csv",
        data_dictionary="results/tables/data_dictionary.csv",
    log:
        "logs/export/tables.log",
    conda:
        "../envs/gtflow.yaml"
    script:
        "../../scripts/export_tables.py"
