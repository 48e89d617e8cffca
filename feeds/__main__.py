"""`python -m feeds` runs the CLI."""

from feeds.cli import main

if __name__ == "__main__":
    main()
