from trustmap.cli import main

main()
