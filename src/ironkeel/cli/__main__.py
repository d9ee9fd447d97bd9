from ironkeel.cli.app import main

main()
