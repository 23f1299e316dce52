use clap::Parser;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    errand::cli::run(errand::cli::Cli::parse()).await
}
