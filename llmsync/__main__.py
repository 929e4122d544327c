from llmsync.cli import main

main()
