# Clean: normalize, de-identify and segment each file; then gather the corpus and collapse reposts.


rule clean_authors:
    input:
        ingested=ingested_posts,
        code=library_code("clean"),
    output:
        "private/authors.csv",
    log:
        "logs/clean/authors.log",
    conda:
        "../envs/gtflow.yaml"
    script:
        "../../scripts/clean_authors.py"


rule clean_file:
    input:
        ingested=ingested_file,
        roster=private_roster,
        authors=author_table,
        code=library_code("clean", "ingest"),
    output:
        documents="results/clean/{source}/{stem}.documents.parquet",
        segments="results/clean/{source}/{stem}.segments.parquet",
        counts="results/clean/{source}/{stem}.deidentification.parquet",
        text="results/clean/text/{source}/{stem}.txt",
        text_index="results/clean/text/{source}/{stem}.index.parquet",
    log:
        "logs/clean/{source}/{stem}.log",
    conda:
        "../envs/gtflow.yaml"
    threads: cores_for_input
    params:
        extra_names=config["clean"]["extra_names"],
        title_aliases=config["clean"]["title_aliases"],
        phone_regions=PHONE_REGIONS,
        extra_patterns=config["clean"]["extra_patterns"],
    script:
        "../../scripts/clean_file.py"


rule clean_corpus:
    input:
        documents=clean_documents_per_file,
        segments=clean_segments_per_file,
        text_indexes=clean_text_indexes_per_file,
        counts=clean_counts_per_file,
        code=library_code("clean", "ingest"),
    output:
        documents="results/clean/documents.parquet",
        segments="results/clean/segments.parquet",
        duplicates="results/clean/duplicates.csv",
        counts="results/clean/deidentification.csv",
        text_index="results/clean/text/index.parquet",
    log:
        "logs/clean/corpus.log",
    conda:
        "../envs/gtflow.yaml"
    params:
        threshold=config["clean"]["near_duplicate_threshold"],
        shingle_size=config["clean"]["shingle_size"],
        permutations=config["clean"]["minhash_permutations"],
        seed=config["seed"],
    script:
        "../../scripts/clean_corpus.py"


rule clean_pseudonym_key:
    input:
        roster="private/roster.parquet",
        code=library_code("clean", "ingest"),
    output:
        "private/pseudonym_key.csv",
    log:
        "logs/clean/pseudonym_key.log",
    conda:
        "../envs/gtflow.yaml"
    params:
        extra_names=config["clean"]["extra_names"],
    script:
        "../../scripts/clean_pseudonym_key.py"
