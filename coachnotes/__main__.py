from coachnotes.cli import main

main()
