import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jobspiders.data import load_yaml
from jobspiders.normalize.skills import SkillTagger, tag_skills

REQUIRED = [
    "python",
    "java",
    "javascript",
    "typescript",
    "nodejs",
    "go",
    "rust",
    "php",
    "ruby",
    "rails",
    "csharp",
    "dotnet",
    "fsharp",
    "cpp",
    "c",
    "scala",
    "kotlin",
    "swift",
    "elixir",
    "erlang",
    "r",
    "django",
    "flask",
    "fastapi",
    "spring",
    "express",
    "nestjs",
    "laravel",
    "symfony",
    "react",
    "vue",
    "angular",
    "graphql",
    "rest",
    "grpc",
    "microservices",
    "postgresql",
    "mysql",
    "mongodb",
    "redis",
    "kafka",
    "rabbitmq",
    "elasticsearch",
    "aws",
    "gcp",
    "azure",
    "kubernetes",
    "docker",
    "terraform",
    "linux",
    "sql",
    "nosql",
    "firestore",
    "git",
    "cicd",
    "oauth",
    "jwt",
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Aliases map to one name.
        ("Golang microservices", ["go", "microservices"]),
        ("Node.js, NodeJS or Node and TypeScript", ["nodejs", "typescript"]),
        ("k8s and Docker", ["docker", "kubernetes"]),
        ("Postgres (or MySQL)", ["mysql", "postgresql"]),
        ("C# and ASP.NET Core", ["csharp", "dotnet"]),  # ASP.NET adds dotnet, not csharp
        ("F# on .NET", ["dotnet", "fsharp"]),
        ("Modern C++ (C++20)", ["cpp"]),
        ("Vue.js 3 and Angular", ["angular", "vue"]),
        ("Google Cloud Platform, AWS and Azure", ["aws", "azure", "gcp"]),
        ("CI/CD with GitLab and Git", ["cicd", "git", "gitlab"]),
        ("Ruby on Rails", ["rails", "ruby"]),  # the name says Ruby
        ("RESTful APIs, REST API design, GraphQL, gRPC", ["graphql", "grpc", "rest"]),
        ("Java, Spring Boot", ["java", "spring"]),
        ("Django", ["django"]),  # nothing implied
        ("Kafka, RabbitMQ, Redis, Elasticsearch", ["elasticsearch", "kafka", "rabbitmq", "redis"]),
        (
            "Terraform on Linux; SQL & NoSQL (Firestore); OAuth2 + JWT",
            ["firestore", "jwt", "linux", "nosql", "oauth", "sql", "terraform"],
        ),
        (
            "Laravel/Symfony (PHP), NestJS, FastAPI or Flask",
            ["fastapi", "flask", "laravel", "nestjs", "php", "symfony"],
        ),
        ("Elixir/Erlang, Scala, Kotlin", ["elixir", "erlang", "kotlin", "scala"]),
        ("MongoDB", ["mongodb"]),
        ("JavaScript", ["javascript"]),  # not java
        ("PostgreSQL", ["postgresql"]),  # not sql
        # Ambiguous words with evidence.
        ("We use Go and Kubernetes", ["go", "kubernetes"]),
        ("Experience with Go (Golang)", ["go"]),
        ("Go 1.22 services", ["go"]),
        ("C/C++", ["c", "cpp"]),
        ("experience with R or Python", ["python", "r"]),
        ("Express.js", ["express"]),
        ("Node with Express and MongoDB", ["express", "mongodb", "nodejs"]),
        ("Rust developer", ["rust"]),
        ("Swift and Kotlin", ["kotlin", "swift"]),
        ("Experience with React", ["react"]),
        ("REST", ["rest"]),
        ("Wir nutzen Python, Go und PostgreSQL", ["go", "postgresql", "python"]),
        ("Experiencia con Java y Spring", ["java", "spring"]),
        # Ordinary words are not skills.
        ("go the extra mile", []),
        ("Go the extra mile with us", []),
        ("React to incidents quickly", []),
        ("rust-proof coating", []),
        ("SWIFT payments", []),
        ("scalable systems", []),
        ("express delivery", []),
        ("R&D department", []),
        ("C-level executives", []),
        ("Spring 2026 intake", []),
        ("Join us in Spring 2026, we use Kubernetes", ["kubernetes"]),
        ("a great restaurant", []),
        ("rest of the team", []),
        ("vitamin C", []),
        ("Let's go!", []),
        ("GitHub", ["github"]),  # its own skill, not git
        ("", []),
    ],
)
def test_tag_skills(text, expected):
    assert tag_skills(text) == expected


def test_taxonomy_has_required_skills():
    assert set(REQUIRED) <= set(load_yaml("skills.yml")["skills"])


def test_taxonomy_size_and_kinds():
    skills = load_yaml("skills.yml")["skills"]
    assert len(skills) >= 120
    # Every canonical name is spelled the way jobs.json shows it.
    assert all(name == name.lower() and " " not in name for name in skills)


@pytest.mark.parametrize(
    ("taxonomy", "text", "expected"),
    [
        # A compound names several skills.
        ({"compounds": {"ruby on rails": ["rails", "ruby"]}}, "Ruby on Rails", ["rails", "ruby"]),
        # Whole words only, whatever punctuation surrounds them; the longest alias wins.
        ({"skills": {"c": {"aliases": ["c"]}, "cpp": {"aliases": ["c++"]}}}, "(C/C++), cat", ["c", "cpp"]),
        ({"skills": {"cpp": {"aliases": ["c++"]}, "c": {"aliases": ["c"]}}}, "C++ only", ["cpp"]),
        ({"skills": {"go": {"aliases": ["go"]}}}, "gopher, cargo, ago", []),
        # An ambiguous word confirmed by evidence confirms its neighbour in turn.
        (
            {
                "evidence": {"near": 30, "after": "^\\s+developer"},
                "skills": {
                    "go": {"ambiguous": {"go": {"case": ["Go"], "evidence": ["after"]}}},
                    "echo": {"ambiguous": {"echo": {"case": ["Echo"], "evidence": ["near"]}}},
                },
            },
            "Echo with Go developer",
            ["echo", "go"],
        ),
    ],
)
def test_tagger_mechanics(taxonomy, text, expected):
    assert SkillTagger(taxonomy).tag(text) == expected


def test_custom_taxonomy_and_duplicate_alias():
    tagger = SkillTagger({"skills": {"zig": {"aliases": ["zig", "ziglang"]}}})
    assert tagger.tag("Ziglang and Zig") == ["zig"]
    with pytest.raises(ValueError, match="declared twice"):
        SkillTagger({"skills": {"a": {"aliases": ["x"]}, "b": {"aliases": ["x"]}}})


@settings(deadline=None)
@given(st.text())
def test_random_text_never_raises(text):
    tags = tag_skills(text)
    assert tags == sorted(set(tags))
