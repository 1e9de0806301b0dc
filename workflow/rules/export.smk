# Export: SPSS/Stata files, tidy tables with a data dictionary, and a REFI-QDA project.


rule export_spss:
    input:
        case_category="results/mechanisms/case_by_category.csv",
        codebook="config/codebook.yaml",
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
        codings="results/code/codings.parquet",
        codebook="config/codebook.yaml",
    output:
        "results/exports/project.qdpx",
    params:
        project_name=config["study"]["name"],
    log:
        "logs/export/qdpx.log",
    conda:
        "../envs/gtflow.yaml"
    script:
        "../../scripts/export_qdpx.py"
