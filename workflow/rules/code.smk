# Code: rule-based coding per file; then merge with manual codings (re-anchored) and roll up.


rule code_autocode:
    input:
        documents=clean_file_documents,
        segments=clean_file_segments,
        texts=clean_file_text_index,
        codebook="config/codebook.yaml",
        code=library_code("coding", "clean", "refi", "ingest", "memos.py"),
    output:
        "results/code/auto/{source}/{stem}.parquet",
    log:
        "logs/code/auto/{source}/{stem}.log",
    conda:
        "../envs/gtflow.yaml"
    script:
        "../../scripts/code_autocode.py"


rule code_merge:
    input:
        auto=autocoded_per_file,
        manual=manual_coding_files,
        reviews=review_files,
        documents="results/clean/documents.parquet",
        segments="results/clean/segments.parquet",
        texts="results/clean/text/index.parquet",
        codebook="config/codebook.yaml",
        code=library_code("coding", "refi", "clean", "ingest", "memos.py"),
    output:
        codings="results/code/codings.parquet",
        anchors="results/code/anchoring.csv",
        hierarchy="results/code/hierarchy.csv",
        review="results/code/review.csv",
    log:
        "logs/code/merge.log",
    conda:
        "../envs/gtflow.yaml"
    params:
        min_score=config["code"]["fuzzy_min_score"],
    script:
        "../../scripts/code_merge.py"


rule code_validity:
    input:
        codings="results/code/codings.parquet",
        review="results/code/review.csv",
        segments="results/clean/segments.parquet",
        codebook="config/codebook.yaml",
        code=library_code("coding", "clean", "refi", "ingest", "memos.py"),
    output:
        validity="results/code/validity.csv",
        audit="results/code/rule_audit.csv",
        phrases="results/code/rule_phrases.csv",
    log:
        "logs/code/validity.log",
    priority: 30
    conda:
        "../envs/gtflow.yaml"
    params:
        consensus_coders=config["reliability"]["coders"],
        coverage=config["code"]["coverage"],
        min_auto_f1=config["code"]["min_auto_f1"],
    script:
        "../../scripts/code_validity.py"
