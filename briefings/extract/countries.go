package extract

// countryTable lists countries as general knowledge, one per line:
//
//	canonical name | other names and abbreviations | demonyms and adjectives | capital (seat of government) | region
//
// Lists inside a field are separated by commas. The data is about the world,
// not about any article.
const countryTable = `
Afghanistan|Islamic Republic of Afghanistan,Islamic Emirate of Afghanistan|Afghan,Afghans,Afghani|Kabul|Asia
Albania||Albanian,Albanians|Tirana|Europe
Algeria||Algerian,Algerians|Algiers|Africa
Andorra||Andorran|Andorra la Vella|Europe
Angola||Angolan,Angolans|Luanda|Africa
Antigua and Barbuda||Antiguan|Saint John's|Americas
Argentina||Argentine,Argentinian,Argentines|Buenos Aires|Americas
Armenia||Armenian,Armenians|Yerevan|Asia
Australia||Australian,Australians|Canberra|Oceania
Austria||Austrian,Austrians|Vienna|Europe
Azerbaijan||Azerbaijani,Azeri,Azerbaijanis|Baku|Asia
Bahamas|The Bahamas|Bahamian|Nassau|Americas
Bahrain||Bahraini,Bahrainis|Manama|Asia
Bangladesh||Bangladeshi,Bangladeshis|Dhaka|Asia
Barbados||Barbadian|Bridgetown|Americas
Belarus||Belarusian,Belarusians|Minsk|Europe
Belgium||Belgian,Belgians|Brussels|Europe
Belize||Belizean|Belmopan|Americas
Benin||Beninese|Porto-Novo,Cotonou|Africa
Bhutan||Bhutanese|Thimphu|Asia
Bolivia||Bolivian,Bolivians|La Paz,Sucre|Americas
Bosnia and Herzegovina|Bosnia|Bosnian,Bosnians|Sarajevo|Europe
Botswana||Botswanan,Motswana|Gaborone|Africa
Brazil||Brazilian,Brazilians|Brasilia,Brasília|Americas
Brunei||Bruneian|Bandar Seri Begawan|Asia
Bulgaria||Bulgarian,Bulgarians|Sofia|Europe
Burkina Faso|Burkina|Burkinabe,Burkinabè|Ouagadougou|Africa
Burundi||Burundian,Burundians|Gitega,Bujumbura|Africa
Cabo Verde|Cape Verde|Cape Verdean|Praia|Africa
Cambodia||Cambodian,Cambodians|Phnom Penh|Asia
Cameroon||Cameroonian,Cameroonians|Yaounde,Yaoundé|Africa
Canada||Canadian,Canadians|Ottawa|Americas
Central African Republic|CAR,C.A.R.|Central African|Bangui|Africa
Chad|Republic of Chad|Chadian,Chadians|N'Djamena,N’Djamena,Ndjamena|Africa
Chile||Chilean,Chileans|Santiago|Americas
China|People's Republic of China,PRC,Mainland China|Chinese|Beijing|Asia
Colombia||Colombian,Colombians|Bogota,Bogotá|Americas
Comoros||Comorian|Moroni|Africa
Democratic Republic of the Congo|DR Congo,DRC,D.R. Congo,Congo-Kinshasa,DR of Congo|Congolese|Kinshasa|Africa
Republic of the Congo|Congo-Brazzaville,Congo Republic||Brazzaville|Africa
Costa Rica||Costa Rican|San Jose,San José|Americas
Côte d’Ivoire|Côte d'Ivoire,Cote d'Ivoire,Cote d’Ivoire,Ivory Coast|Ivorian,Ivorians|Yamoussoukro,Abidjan|Africa
Croatia||Croatian,Croatians,Croat,Croats|Zagreb|Europe
Cuba||Cuban,Cubans|Havana|Americas
Cyprus||Cypriot,Cypriots|Nicosia|Europe
Czech Republic|Czechia|Czech,Czechs|Prague|Europe
Denmark||Danish,Dane,Danes|Copenhagen|Europe
Djibouti||Djiboutian|Djibouti City|Africa
Dominican Republic||Dominican|Santo Domingo|Americas
Ecuador||Ecuadorian,Ecuadorean|Quito|Americas
Egypt||Egyptian,Egyptians|Cairo|Africa
El Salvador||Salvadoran,Salvadorian|San Salvador|Americas
Equatorial Guinea||Equatoguinean|Malabo|Africa
Eritrea||Eritrean,Eritreans|Asmara|Africa
Estonia||Estonian,Estonians|Tallinn|Europe
Eswatini|Swaziland|Swazi|Mbabane|Africa
Ethiopia||Ethiopian,Ethiopians|Addis Ababa|Africa
Fiji||Fijian|Suva|Oceania
Finland||Finnish,Finn,Finns|Helsinki|Europe
France|French Republic|French,Frenchman,Frenchmen|Paris|Europe
Gabon||Gabonese|Libreville|Africa
Gambia|The Gambia|Gambian,Gambians|Banjul|Africa
Georgia||Georgian,Georgians|Tbilisi|Asia
Germany|Federal Republic of Germany|German,Germans|Berlin|Europe
Ghana||Ghanaian,Ghanaians|Accra|Africa
Greece||Greek,Greeks|Athens|Europe
Guatemala||Guatemalan,Guatemalans|Guatemala City|Americas
Guinea|Guinea-Conakry|Guinean,Guineans|Conakry|Africa
Guinea-Bissau||Bissau-Guinean|Bissau|Africa
Guyana||Guyanese|Georgetown|Americas
Haiti||Haitian,Haitians|Port-au-Prince|Americas
Honduras||Honduran,Hondurans|Tegucigalpa|Americas
Hungary||Hungarian,Hungarians|Budapest|Europe
Iceland||Icelandic,Icelander,Icelanders|Reykjavik|Europe
India||Indian,Indians|New Delhi|Asia
Indonesia||Indonesian,Indonesians|Jakarta|Asia
Iran|Islamic Republic of Iran|Iranian,Iranians|Tehran|Asia
Iraq||Iraqi,Iraqis|Baghdad|Asia
Ireland|Republic of Ireland|Irish|Dublin|Europe
Israel||Israeli,Israelis|Jerusalem,Tel Aviv|Asia
Italy||Italian,Italians|Rome|Europe
Jamaica||Jamaican,Jamaicans|Kingston|Americas
Japan||Japanese|Tokyo|Asia
Jordan||Jordanian,Jordanians|Amman|Asia
Kazakhstan||Kazakh,Kazakhstani|Astana|Asia
Kenya||Kenyan,Kenyans|Nairobi|Africa
Kosovo||Kosovar,Kosovan|Pristina|Europe
Kuwait||Kuwaiti,Kuwaitis|Kuwait City|Asia
Kyrgyzstan||Kyrgyz|Bishkek|Asia
Laos||Lao,Laotian|Vientiane|Asia
Latvia||Latvian,Latvians|Riga|Europe
Lebanon||Lebanese|Beirut|Asia
Lesotho||Basotho|Maseru|Africa
Liberia||Liberian,Liberians|Monrovia|Africa
Libya||Libyan,Libyans|Tripoli|Africa
Liechtenstein|||Vaduz|Europe
Lithuania||Lithuanian,Lithuanians|Vilnius|Europe
Luxembourg||Luxembourgish|Luxembourg City|Europe
Madagascar||Malagasy|Antananarivo|Africa
Malawi||Malawian,Malawians|Lilongwe|Africa
Malaysia||Malaysian,Malaysians|Kuala Lumpur|Asia
Maldives||Maldivian|Male|Asia
Mali|Republic of Mali|Malian,Malians|Bamako|Africa
Malta||Maltese|Valletta|Europe
Mauritania||Mauritanian,Mauritanians|Nouakchott|Africa
Mauritius||Mauritian|Port Louis|Africa
Mexico||Mexican,Mexicans|Mexico City|Americas
Moldova||Moldovan,Moldovans|Chisinau|Europe
Monaco||Monegasque|Monaco|Europe
Mongolia||Mongolian,Mongolians|Ulaanbaatar|Asia
Montenegro||Montenegrin|Podgorica|Europe
Morocco||Moroccan,Moroccans|Rabat|Africa
Mozambique||Mozambican,Mozambicans|Maputo|Africa
Myanmar|Burma|Myanmar,Burmese|Naypyidaw,Naypyitaw|Asia
Namibia||Namibian,Namibians|Windhoek|Africa
Nepal||Nepali,Nepalese|Kathmandu|Asia
Netherlands|The Netherlands,Holland|Dutch|Amsterdam,The Hague|Europe
New Zealand||New Zealander,New Zealanders|Wellington|Oceania
Nicaragua||Nicaraguan,Nicaraguans|Managua|Americas
Niger|Republic of Niger|Nigerien,Nigeriens|Niamey|Africa
Nigeria|Federal Republic of Nigeria|Nigerian,Nigerians|Abuja|Africa
North Korea|DPRK,Democratic People's Republic of Korea,D.P.R.K.|North Korean,North Koreans|Pyongyang|Asia
North Macedonia|Macedonia|Macedonian|Skopje|Europe
Norway||Norwegian,Norwegians|Oslo|Europe
Oman||Omani,Omanis|Muscat|Asia
Pakistan||Pakistani,Pakistanis|Islamabad|Asia
Palestine|Palestinian Territories,State of Palestine|Palestinian,Palestinians|Ramallah|Asia
Panama||Panamanian,Panamanians|Panama City|Americas
Papua New Guinea||Papua New Guinean|Port Moresby|Oceania
Paraguay||Paraguayan,Paraguayans|Asuncion,Asunción|Americas
Peru||Peruvian,Peruvians|Lima|Americas
Philippines|The Philippines|Filipino,Filipinos,Philippine|Manila|Asia
Poland||Polish,Pole,Poles|Warsaw|Europe
Portugal||Portuguese|Lisbon|Europe
Qatar||Qatari,Qataris|Doha|Asia
Romania||Romanian,Romanians|Bucharest|Europe
Russia|Russian Federation|Russian,Russians|Moscow|Europe
Rwanda||Rwandan,Rwandans|Kigali|Africa
Saudi Arabia|Kingdom of Saudi Arabia,KSA|Saudi,Saudis,Saudi Arabian|Riyadh|Asia
Senegal||Senegalese|Dakar|Africa
Serbia||Serbian,Serbians,Serb,Serbs|Belgrade|Europe
Sierra Leone||Sierra Leonean|Freetown|Africa
Singapore||Singaporean,Singaporeans|Singapore|Asia
Slovakia||Slovak,Slovaks,Slovakian|Bratislava|Europe
Slovenia||Slovenian,Slovenians,Slovene|Ljubljana|Europe
Somalia||Somali,Somalis|Mogadishu|Africa
South Africa||South African,South Africans|Pretoria,Cape Town|Africa
South Korea|Republic of Korea,ROK|South Korean,South Koreans|Seoul|Asia
South Sudan||South Sudanese|Juba|Africa
Spain||Spanish,Spaniard,Spaniards|Madrid|Europe
Sri Lanka||Sri Lankan,Sri Lankans|Colombo|Asia
Sudan|Republic of the Sudan|Sudanese|Khartoum|Africa
Suriname||Surinamese|Paramaribo|Americas
Sweden||Swedish,Swede,Swedes|Stockholm|Europe
Switzerland||Swiss|Bern,Berne|Europe
Syria|Syrian Arab Republic|Syrian,Syrians|Damascus|Asia
Taiwan|Republic of China|Taiwanese|Taipei|Asia
Tajikistan||Tajik,Tajikistani|Dushanbe|Asia
Tanzania||Tanzanian,Tanzanians|Dodoma|Africa
Thailand||Thai|Bangkok|Asia
Timor-Leste|East Timor|Timorese|Dili|Asia
Togo||Togolese|Lome,Lomé|Africa
Trinidad and Tobago||Trinidadian|Port of Spain|Americas
Tunisia||Tunisian,Tunisians|Tunis|Africa
Turkey|Türkiye,Turkiye|Turkish,Turk,Turks|Ankara|Asia
Turkmenistan||Turkmen|Ashgabat|Asia
Uganda||Ugandan,Ugandans|Kampala|Africa
Ukraine||Ukrainian,Ukrainians|Kyiv,Kiev|Europe
United Arab Emirates|UAE,U.A.E.,Emirates|Emirati,Emiratis|Abu Dhabi|Asia
United Kingdom|UK,U.K.,Britain,Great Britain,United Kingdom of Great Britain and Northern Ireland|British,Briton,Britons|London|Europe
United States|US,U.S.,USA,U.S.A.,America,United States of America|American,Americans,U.S.,US|Washington|Americas
Uruguay||Uruguayan,Uruguayans|Montevideo|Americas
Uzbekistan||Uzbek,Uzbeks|Tashkent|Asia
Vatican City|Holy See,Vatican||Vatican City|Europe
Venezuela||Venezuelan,Venezuelans|Caracas|Americas
Vietnam|Viet Nam|Vietnamese|Hanoi|Asia
Western Sahara||Sahrawi|Laayoune|Africa
Yemen||Yemeni,Yemenis|Sanaa,Sana'a|Asia
Zambia||Zambian,Zambians|Lusaka|Africa
Zimbabwe||Zimbabwean,Zimbabweans|Harare|Africa
`

// regionTable lists regions and other places that are not countries, with
// their demonyms where they have one.
const regionTable = `
Africa|African
West Africa|West African
East Africa|East African
North Africa|North African
Southern Africa|
Central Africa|Central African
West and Central Africa|
Sub-Saharan Africa|
Horn of Africa|
Sahel|Sahelian
Maghreb|
Europe|European
Eastern Europe|Eastern European
Western Europe|
Asia|Asian
Central Asia|Central Asian
South Asia|South Asian
Southeast Asia|Southeast Asian
East Asia|East Asian
Middle East|Middle Eastern
Gulf|
Persian Gulf|
Arctic|
Antarctica|
Latin America|Latin American
South America|South American
North America|North American
Caribbean|
Pacific|
Indo-Pacific|
Balkans|Balkan
Caucasus|
Levant|
Gaza|
Gaza Strip|
West Bank|
Crimea|
Donbas|
Darfur|
Kurdistan|Kurdish
Northern Ireland|
Scotland|Scottish
Wales|Welsh
England|English
`

// cityTable lists cities that are not capitals but often appear in the
// news, with their country.
const cityTable = `
Jeddah|Saudi Arabia
Mecca|Saudi Arabia
Dubai|United Arab Emirates
Istanbul|Turkey
Geneva|Switzerland
Davos|Switzerland
New York|United States
Camp David|United States
Munich|Germany
Frankfurt|Germany
Marseille|France
Lyon|France
Strasbourg|France
Milan|Italy
St Petersburg|Russia
Saint Petersburg|Russia
Sochi|Russia
Kharkiv|Ukraine
Odesa|Ukraine
Mariupol|Ukraine
Kandahar|Afghanistan
Herat|Afghanistan
Bagram|Afghanistan
Mosul|Iraq
Erbil|Iraq
Basra|Iraq
Aleppo|Syria
Idlib|Syria
Raqqa|Syria
Benghazi|Libya
Misrata|Libya
Alexandria|Egypt
Sharm el-Sheikh|Egypt
Lagos|Nigeria
Kano|Nigeria
Maiduguri|Nigeria
Timbuktu|Mali
Gao|Mali
Kidal|Mali
Mopti|Mali
Agadez|Niger
Tillaberi|Niger
Zinder|Niger
Bouake|Côte d’Ivoire
Goma|Democratic Republic of the Congo
Mombasa|Kenya
Port Sudan|Sudan
Omdurman|Sudan
El Fasher|Sudan
Aden|Yemen
Hodeidah|Yemen
Karachi|Pakistan
Lahore|Pakistan
Mumbai|India
Shanghai|China
Hong Kong|China
Osaka|Japan
Busan|South Korea
Sydney|Australia
Toronto|Canada
Montreal|Canada
Los Angeles|United States
Chicago|United States
Houston|United States
San Francisco|United States
Miami|United States
Rio de Janeiro|Brazil
Sao Paulo|Brazil
Johannesburg|South Africa
Durban|South Africa
Tel Aviv|Israel
Haifa|Israel
Tabriz|Iran
Isfahan|Iran
Sevastopol|Ukraine
`
