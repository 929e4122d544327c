from llmsync.entry import main

main()
