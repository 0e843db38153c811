package extract

// orgTable lists organizations as general knowledge:
//
//	canonical name | aliases | type | country (empty for international bodies)
//
// Types: bloc (regional or international body), gov (a government body),
// armed (an armed group or force), media, company, party.
const orgTable = `
United Nations|UN,U.N.|bloc|
UN Security Council|Security Council,United Nations Security Council,UNSC|bloc|
NATO|North Atlantic Treaty Organization,Nato|bloc|
European Union|EU,E.U.|bloc|
European Commission||bloc|
African Union|AU|bloc|
Economic Community of West African States|ECOWAS,Ecowas,CEDEAO|bloc|
ECOWAS Commission||bloc|
Alliance of Sahel States|AES|bloc|
Southern African Development Community|SADC|bloc|
East African Community|EAC|bloc|
Arab League|League of Arab States|bloc|
Gulf Cooperation Council|GCC|bloc|
Association of Southeast Asian Nations|ASEAN|bloc|
Organization of American States|OAS|bloc|
Organization for Security and Co-operation in Europe|OSCE|bloc|
Shanghai Cooperation Organisation|SCO|bloc|
BRICS||bloc|
G7|Group of Seven|bloc|
G20|Group of 20,Group of Twenty|bloc|
Arctic Council||bloc|
Commonwealth||bloc|
International Monetary Fund|IMF|bloc|
World Bank||bloc|
World Health Organization|WHO|bloc|
International Criminal Court|ICC|bloc|
International Court of Justice|ICJ|bloc|
International Atomic Energy Agency|IAEA|bloc|
World Food Programme|WFP|bloc|
UNHCR|UN Refugee Agency|bloc|
UNICEF||bloc|
Red Cross|International Committee of the Red Cross,ICRC|bloc|
OPEC||bloc|
Global Coalition to Defeat ISIS|Global Coalition,Coalition,anti-ISIS coalition|bloc|
MINUSMA|UN peacekeeping mission in Mali|bloc|
Intergovernmental Authority on Development|IGAD|bloc|
State Department|U.S. State Department,US State Department,Department of State|gov|United States
Department of Defense|Pentagon,Defense Department,DoD,Department of Defence|gov|United States
White House||gov|United States
National Security Council|NSC|gov|United States
Central Intelligence Agency|CIA|gov|United States
Federal Bureau of Investigation|FBI|gov|United States
Congress|U.S. Congress,US Congress|gov|United States
Senate|U.S. Senate,US Senate|gov|United States
House of Representatives||gov|United States
AFRICOM|U.S. Africa Command,US Africa Command,Africa Command|gov|United States
CENTCOM|U.S. Central Command,US Central Command,Central Command|gov|United States
Kremlin||gov|Russia
Elysee|Élysée,Elysée,Elysee Palace,Élysée Palace|gov|France
Quai d'Orsay||gov|France
Downing Street||gov|United Kingdom
Foreign Office|Foreign Commonwealth and Development Office,FCDO|gov|United Kingdom
Bundeswehr||armed|Germany
Taliban||armed|Afghanistan
Al-Qaeda|al-Qaeda,Al Qaeda,al Qaeda,al-Qaida,Al-Qaida|armed|
Islamic State|ISIS,ISIL,IS,Daesh,Islamic State group|armed|
Boko Haram||armed|Nigeria
Al-Shabaab|al-Shabaab,Al Shabaab,al-Shabab|armed|Somalia
Hamas||armed|Palestine
Hezbollah|Hizbollah|armed|Lebanon
Houthis|Houthi,Ansar Allah|armed|Yemen
Wagner|Wagner Group,PMC Wagner,Wagner group|armed|Russia
Africa Corps|Africa Corp|armed|Russia
Rapid Support Forces|RSF|armed|Sudan
Sudanese Armed Forces|SAF|armed|Sudan
Afghan Security Forces|Afghan National Security Forces,ANSF|armed|Afghanistan
Kurdistan Workers' Party|PKK|armed|
Syrian Democratic Forces|SDF|armed|Syria
Hayat Tahrir al-Sham|HTS|armed|Syria
JNIM|Jama'at Nusrat al-Islam wal-Muslimin|armed|
Reuters||media|
Agence France-Presse|AFP|media|
Associated Press|AP|media|
BBC||media|United Kingdom
CNN||media|United States
Al Jazeera||media|Qatar
Voice of America|VOA|media|United States
Radio Free Europe/Radio Liberty|RFE/RL,Radio Free Europe|media|United States
TASS||media|Russia
RIA Novosti||media|Russia
Xinhua||media|China
Telegram||company|
Facebook||company|
X||company|
`

// titleTable lists titles and roles that precede or follow personal names.
// One per line; longer titles are matched first. A "country hint" after a
// '|' says which country holds the title when the text names none (only for
// titles used by one country).
const titleTable = `
President
Vice President|
Vice-President
President-elect
Prime Minister
Deputy Prime Minister
Premier
Chancellor
Foreign Minister
Deputy Foreign Minister
Minister of Foreign Affairs
Foreign Affairs Minister
Defence Minister
Defense Minister
Minister of Defence
Minister of Defense
Minister of the Armed Forces
Armed Forces Minister
Interior Minister
Finance Minister
Minister
Ministers of Defence
Ministers of Defense
Foreign Ministers
Defence Ministers
Defense Ministers
Secretary of State|United States
Secy of State|United States
Secy. of State|United States
Deputy Secretary of State|United States
Acting Deputy Secretary of State|United States
Assistant Secretary of State|United States
Under Secretary of State|United States
Secretary of Defense|United States
Defense Secretary|United States
Secretary of the Army|United States
Foreign Secretary|United Kingdom
Home Secretary|United Kingdom
Defence Secretary|United Kingdom
Secretary-General
Secretary General
Deputy Secretary-General
National Security Adviser
National Security Advisor
Press Secretary
White House Press Secretary|United States
Spokesperson
Spokesman
Spokeswoman
Ambassador
Envoy
Special Envoy
Special Representative
High Representative
Commissioner
Chairman
Chairwoman
Chairperson
Chair
Head of State
King
Queen
Crown Prince
Prince
Emir
Sheikh
Sultan
General
Gen.
Brigadier-General
Brigadier General
Brig. Gen.
Major-General
Major General
Maj. Gen.
Lieutenant-General
Lieutenant General
Lt. Gen.
Colonel
Col.
Lieutenant Colonel
Lt. Col.
Major
Captain
Capt.
Admiral
Adm.
Vice Admiral
Field Marshal
Marshal
Commander
Chief of Staff
Chief of Defence Staff
Chief of Defense Staff
Chairman of the Joint Chiefs of Staff|United States
Senator
Sen.
Representative
Rep.
Congressman
Congresswoman
Governor
Gov.
Mayor
Speaker
Pope
Patriarch
Ayatollah
Supreme Leader
Director
Director-General
Director General
Deputy Director
Mullah
Mr
Mr.
Mrs
Mrs.
Ms
Ms.
Dr
Dr.
Prof.
Professor
Judge
Justice
Attorney General
Senior Airman
Sergeant
Sgt.
Private
Lieutenant
Lt.
Chief negotiator
Counterpart
Negotiator
Secretary
Citizens
Citizen
Journalist
Activist
Opposition figure
Commander-in-chief
Defense chief
Defence chief
Army chief
Military leader
Coup leader
Ruler
Mediator
Leader
Junta leader
Opposition leader
Co-founder
Founder
Chief
Head
`

// firstNames is a list of common given names from many languages, used only
// as weak evidence that a capitalized pair of words is a person's name.
const firstNames = `
Aaron Abbas Abdel Abdou Abdoulaye Abdul Abdullah Abdullahi Abdurrahman Abu Adam Adama Adel Adrian Ahmad Ahmed Aisha Akbar Alain Alan Albert Aleksandr Aleksey Alex Alexander Alexandre Alexei Alexey Alexis Ali Alice Alpha Amadou Amina Amir Amy Ana Anatoly Andre Andrea Andreas Andrei Andrew Andrey Andriy Angela Angelina Anna Anne Annalena Anthony Antonio Antony Anwar Ashraf Assimi Aziz
Barack Barbara Bashar Ben Benjamin Bernard Beth Bill Bola Boris Boubacar Brian Bruno
Carl Carlos Catherine Cecile Charles Charlotte Chris Christian Christine Christopher Claire Claude Cyril
Dan Daniel David Denis Dennis Dmitry Dmitri Donald Edward Ebrahim Elena Elizabeth Emmanuel Emmerson Enrique Eric Evgeny
Fatima Faure Felix Fernando Florence Francis Francois François Frank
Gabriel George Georges Gerald Gilbert Giorgia Greg Gustavo
Hamid Hassan Heiko Helen Henri Henry Hillary Hussein
Ibrahim Idriss Igor Ilham Imran Isaac Ismail Ivan
Jack Jacob Jacques Jake James Jan Janet Jean Jeff Jen Jennifer Jens Jessica Jim Joe John Jonathan Joseph Josep Juan Julia Julian Justin
Kamala Karen Karim Kate Kevin Khalid Kurt
Lamine Laura Leila Leon Linda Lloyd Louis Luis Lula
Macky Mahamadou Mahamat Mahmoud Mahmud Marco Margaret Maria Mark Martin Mary Matteo Matthew Mike Michael Michel Mikhail Mohamed Mohammad Mohammed Moussa Muhammad Muhammadu Mustafa
Nabil Nana Nancy Narendra Natalia Nicolas Nikolai Nuri Nadia
Olaf Olivier Omar Oscar Osman Ousmane
Patrice Patrick Paul Pedro Peter Philippe Pierre
Rachel Rafael Ramzan Raul Recep Richard Robert Roger Ronald Rishi Rex
Saad Salva Salman Sam Samantha Samuel Sarah Sebastien Sébastien Sergei Sergey Sergio Simon Sophie Stephane Stéphane Steve Steven Susan
Tayyip Thomas Tim Timothy Tom Tony Trevor
Ursula Uhuru
Valentin Vasily Victor Victoria Viktor Vladimir Volodymyr
Walter William
Xi
Yahya Yasser Yevgeny Yoweri Youssef Yuri Yusuf

`
